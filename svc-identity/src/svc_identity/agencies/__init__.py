"""The agency tree (cơ quan, đơn vị) with current and legacy agency IDs."""
