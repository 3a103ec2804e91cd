"""The national public-service portal (Cổng Dịch vụ công quốc gia): the facade it calls, the
push of dossiers and their progress to it, reconciliation, and its SIMULATOR."""
