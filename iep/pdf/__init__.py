"""Printed IEP documents (issue 8): context builders, HTML→PDF rendering with WeasyPrint, stored files.

context.py builds what each document prints from the database; render.py turns it into HTML and PDF;
services.py asks for a document (answering from the stored file when nothing printed has changed) and
renders one (the Celery job's body).
"""
