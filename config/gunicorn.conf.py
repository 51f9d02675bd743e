"""gunicorn settings (`gunicorn -c config/gunicorn.conf.py config.wsgi`).

The access log shows the path without the query string (`%(U)s`, not `%(r)s`): the admin
search sends `?q=<KVNR or name>`, and no personal data may end up in server logs.
"""

wsgi_app = "config.wsgi:application"
accesslog = "-"
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)ss'
