"""Services: the verbs of the hub (save, submit, open a round, deliver …). They validate, change
the models and flush; whoever called them (a request, a command, a job) commits. They may use
auth, exports, forms and the models, never a page, the API, the CLI or a job."""
