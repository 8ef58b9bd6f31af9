"""clgan.Error and one subclass per library status, carrying the library's message."""
from . import _lib

# the library's status codes (include/clgan/clgan.h)
OK = 0
_CODES = {
    -1000: "ArgumentError", -1001: "FileError", -1002: "FormatError", -1003: "ConfigError",
    -1004: "DeviceError", -1005: "BuildError", -1006: "OutOfMemoryError", -1007: "NumericError",
    -1008: "Interrupted", -1009: "InternalError", -1010: "OpenCLError",
}


class Error(Exception):
    """A clgan call failed: `status` is the library's code, `name` its name, str() the message."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.name = _lib.status_str(status).decode()


_classes = {code: type(name, (Error,), {"__doc__": f"clgan status {code}"}) for code, name in _CODES.items()}
globals().update({cls.__name__: cls for cls in _classes.values()})


def error(status, message):
    """The exception for `status` (its subclass, or Error for a code this package does not know)."""
    if isinstance(message, bytes):
        message = message.decode("utf-8", "replace")
    return _classes.get(status, Error)(status, message)


def check(status, message):
    if status != OK:
        raise error(status, message() if callable(message) else message)
