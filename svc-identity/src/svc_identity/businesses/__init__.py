"""Business accounts (tài khoản doanh nghiệp): tax code, name, legal representative."""
