"""The Django desk: persistence, the operators' console, the customers' portal, jobs and mail."""
