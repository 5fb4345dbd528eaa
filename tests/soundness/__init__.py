"""An adversarial soundness corpus for ``derive check``: claims whose truth is established
without derive, and tests that the checker never proves a false claim or refutes a true one."""
