# dissector fuzz target
