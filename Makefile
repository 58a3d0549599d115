# pasip — the two commands a newcomer needs are `make run` and `make test`.
# Every target is a plain shell recipe (POSIX make); the build itself is CMake + Ninja in build/.
# `make` installs what is missing (scripts/setup.sh), configures and builds build/bin/pasip.
# With CI=true in the environment, warnings are errors (-DPASIP_WERROR=ON).

BUILD_DIR = build
BUILD_TYPE = RelWithDebInfo
DATABASE = sqlite://var/pasip.db
LISTEN = 127.0.0.1:8080

.PHONY: all setup configure build run test format format-check bench fuzz clean

all: build

setup:
	scripts/setup.sh

configure: setup
	werror=OFF; if [ "$${CI:-}" = true ]; then werror=ON; fi; \
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DPASIP_WERROR=$$werror

build: configure
	cmake --build $(BUILD_DIR) -j$$(nproc)

run: all
	mkdir -p var
	@echo "Comptes de démonstration (rôle, e-mail, mot de passe, clé TOTP pour admin et social) :"
	@$(BUILD_DIR)/bin/pasip demo --database $(DATABASE)
	@echo "Code TOTP du moment : $(BUILD_DIR)/bin/pasip totp CLÉ (ou une application d'authentification)."
	$(BUILD_DIR)/bin/pasip serve --database $(DATABASE) --listen $(LISTEN) --demo

test: all
	scripts/test.sh

# Sources are every .h/.cc under src/, tests/ and bench/ (generated files live in build/).
format:
	find src tests bench -type f \( -name '*.h' -o -name '*.cc' \) -exec clang-format -i {} +

format-check:
	find src tests bench -type f \( -name '*.h' -o -name '*.cc' \) \
	  -exec clang-format --dry-run -Werror {} +

bench: all
	PASIP_BENCH_SKIP_BUILD=1 bench/run.sh
	bench/opening_hours/run.sh
	bench/directory/run.sh
	bench/reception/run.sh
	bench/orientation/run.sh

# libFuzzer harnesses (clang, ASan + UBSan), each run FUZZ_SECONDS on a corpus kept in
# build-fuzz/corpus/. Findings are written to build-fuzz/ as crash-* files.
FUZZ_SECONDS = 60
FUZZERS = core_fuzz form_data_fuzz opening_hours_fuzz csv_fuzz directory_json_fuzz catalogue_fuzz \
  reception_json_fuzz links_fuzz orientation_json_fuzz
fuzz: setup
	scripts/setup.sh --fuzz
	CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPASIP_FUZZ=ON
	cmake --build build-fuzz --target $(FUZZERS)
	for f in $(FUZZERS); do mkdir -p build-fuzz/corpus/$$f && \
	  (cd build-fuzz && bin/$$f -max_total_time=$(FUZZ_SECONDS) corpus/$$f) || exit 1; done

clean:
	rm -rf $(BUILD_DIR) build-fuzz
