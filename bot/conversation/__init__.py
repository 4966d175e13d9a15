"""The conversations, as plain request and reply: what the bot says to each update, for any adapter."""
