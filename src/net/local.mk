# src/net sources
