"""The bundled shop app with planted faults, a loopback server pair, and traffic for it."""
