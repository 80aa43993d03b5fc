"""The client commands and the Python client against one real ``reportgen serve``."""
