"""shixian (时限): deadline checking for Chinese open-government obligations."""

__version__ = "0.1.0"
