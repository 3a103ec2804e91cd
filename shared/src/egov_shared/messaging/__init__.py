"""Transactional outbox, its relay to JetStream, and the durable pull-consumer runner."""
