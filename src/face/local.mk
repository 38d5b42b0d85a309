# src/face sources
