"""The Telegram adapter: the PTB Application, its serving (polling or webhook), the health check and update ordering."""
