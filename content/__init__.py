"""The shipped question decks. pyproject.toml maps this folder to the package
couplebot._content, so a wheel carries the decks and importlib.resources finds them."""
