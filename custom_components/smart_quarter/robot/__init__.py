"""The temi service robot of an apartment: status, go-to with retries, speech, calls."""
