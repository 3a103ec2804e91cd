"""The provincial CA: X.509 signing certificates for officials and agencies, CRL, remote signing."""
