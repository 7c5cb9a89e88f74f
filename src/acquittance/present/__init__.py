"""One presenter: typed results to the JSON documents every face prints."""
