# Shared by ./run-local and ./run-bench: find a JDK >= 21 and build what is out of date.

java_major() { "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'; }

find_java() {
  local candidates=()
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME/bin/java")
  command -v java >/dev/null 2>&1 && candidates+=("$(command -v java)")
  for jdk in /usr/lib/jvm/*/bin/java; do candidates+=("$jdk"); done
  for candidate in "${candidates[@]}"; do
    if [ -x "$candidate" ] && [ "$(java_major "$candidate")" -ge 21 ] 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  echo "no JDK >= 21 found (set JAVA_HOME)" >&2; return 1
}

# build_if_stale JAR: (re)build the project when JAR is missing or older than any source.
build_if_stale() {
  if [ ! -f "$1" ] || [ -n "$(find . -path ./data -prune -o \( -name '*.java' -o -name 'pom.xml' -o -name '*.yml' -o -name '*.sql' \) -newer "$1" -print -quit)" ]; then
    echo "Building docsync (first run, or sources changed)..." >&2
    ./mvnw -q -B -ntp -DskipTests install >&2
  fi
}
