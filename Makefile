# The README's two commands: `make run` and `make test`. Both install what is missing first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
APT_PACKAGES := tesseract-ocr-chi-sim tesseract-ocr-eng tesseract-ocr-osd redis-server fonts-noto-cjk fonts-wqy-zenhei fonts-wqy-microhei fonts-arphic-ukai fonts-arphic-uming fonts-dejavu-core fonts-dejavu-extra fontconfig curl
# The tests also check docker-compose.yml with `docker-compose config` (Debian's compose), and drive
# the web console in Debian's chromium (Playwright, never its own browser download), and run a worker
# in its own network namespace with iproute2's `ip netns` (slim images lack it).
# They build the images with podman (runc; netavark, aardvark-dns and iptables for its networks) on a base
# made by debootstrap, and run the compose stack with that docker-compose; `make images` needs the same.
IMAGE_PACKAGES := podman runc netavark aardvark-dns iptables debootstrap
APT_TEST_PACKAGES := docker-compose chromium iproute2 $(IMAGE_PACKAGES)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test install system-packages bench clean

run: install
	$(BIN)/ocrq up

test: APT_PACKAGES += $(APT_TEST_PACKAGES)
test: install
	$(BIN)/python -m pytest; status=$$?; [ $$status -eq 5 ] && { echo "no tests collected"; exit 1; }; exit $$status

install: system-packages $(VENV)/.installed

# Only the packages that are missing are installed, so a second run costs a dpkg query.
system-packages:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || missing="$$missing python3-venv"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test,ppocr]'
	touch $@

bench: install
	$(BIN)/python -m bench.accuracy
	$(BIN)/python -m bench.throughput
	$(BIN)/python -m bench.scale --plot docs/scale.svg

clean:
	rm -rf $(VENV) var

# Images for a site without a registry (README "Production"): a debootstrapped bookworm (kept in /var/cache/ocrq),
# ocrq's image and Debian's redis-server on it, built with podman: localhost/ocrq:latest, localhost/ocrq-redis:latest.
.PHONY: images
images: APT_PACKAGES := $(IMAGE_PACKAGES)
images: system-packages
	deploy/build-images.sh
