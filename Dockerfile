FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

# Pango and fonts for WeasyPrint (the printed programme).
RUN apt-get update && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
    fonts-dejavu-core && rm -rf /var/lib/apt/lists/*

COPY pyproject.toml README.md ./
RUN pip install .
COPY . .
RUN DEBUG=1 python manage.py collectstatic --no-input -v0

RUN useradd --system --home /app essaim && mkdir -p /app/var/media && chown -R essaim /app/var
USER essaim
EXPOSE 8000
CMD ["gunicorn", "backend.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
