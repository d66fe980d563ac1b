// Placeholder until the target has sources; delete when adding the first file.
