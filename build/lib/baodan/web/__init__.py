"""The MkDocs side of baodan: the plugin and the pages it generates from the loaded Firm."""
