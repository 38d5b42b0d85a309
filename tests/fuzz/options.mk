# options fuzz target
