"""baodan (保单): a bookkeeping firm's client insurance policies as encrypted YAML in git,
published with MkDocs Material."""
