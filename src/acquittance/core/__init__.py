"""The pure core: exact values and rules, no I/O; imports nothing of the other parts."""
