"""What both OpenAI-format paths share: chunk conversion, endpoints, one-line errors."""
