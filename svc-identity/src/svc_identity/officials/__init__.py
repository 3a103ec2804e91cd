"""Administration of officials (cán bộ, công chức): accounts in an agency, their roles."""
