"""The HTTP API: the Litestar app factory, its controllers and the error map."""
