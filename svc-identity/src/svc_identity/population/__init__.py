"""A simulator of the national population database (CSDLQG về dân cư) and its client."""
