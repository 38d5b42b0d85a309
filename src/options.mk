# src sources
