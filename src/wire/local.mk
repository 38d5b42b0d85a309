# src/wire sources
