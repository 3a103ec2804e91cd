"""Single sign-on from the national identity (VNeID / Cổng Dịch vụ công quốc gia) and the
simulator of the national identity provider."""
