"""Local emulators of the external services, served over real HTTP on 127.0.0.1."""
