# src/engine sources
