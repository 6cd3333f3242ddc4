# Sourced by ./ferry and the dev/ scripts: exports JAVA_HOME pointing at a JDK 21 or newer.
# Looks at JAVA_HOME first, then the newest JDK under /usr/lib/jvm.

ferry_java_major() { # prints the major version of the java binary in $1, or nothing
  "$1/bin/java" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1
}

ferry_find_jdk() {
  local candidate major
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/javac" ]; then
    major=$(ferry_java_major "$JAVA_HOME")
    if [ -n "$major" ] && [ "$major" -ge 21 ]; then
      return 0
    fi
    echo "ferry: JAVA_HOME=$JAVA_HOME is Java ${major:-of unknown version}; looking for a JDK 21+ under /usr/lib/jvm" >&2
  fi
  local best="" best_major=0
  for candidate in /usr/lib/jvm/*; do
    [ -L "$candidate" ] && continue
    [ -x "$candidate/bin/javac" ] || continue
    major=$(ferry_java_major "$candidate")
    if [ -n "$major" ] && [ "$major" -ge 21 ] && [ "$major" -gt "$best_major" ]; then
      best=$candidate
      best_major=$major
    fi
  done
  if [ -n "$best" ]; then
    export JAVA_HOME="$best"
    return 0
  fi
  echo "ferry: no JDK 21 or newer found (looked at JAVA_HOME and /usr/lib/jvm/*)." >&2
  echo "ferry: install one: sudo apt-get install openjdk-21-jdk-headless (Debian 13, Ubuntu 24.04 and newer);" >&2
  echo "ferry: Debian 12 packages no JDK 21: install Eclipse Temurin 21+ (package temurin-21-jdk from Adoptium's" >&2
  echo "ferry: repository) or unpack any JDK 21+ and set JAVA_HOME to it." >&2
  return 1
}

# Maven's own libraries and Undertow's thread library still use sun.misc.Unsafe, which JDK 24+
# warns about on every start. Prints the option that quiets it, or nothing on older JDKs.
ferry_unsafe_option() {
  if [ "$(ferry_java_major "$JAVA_HOME")" -ge 24 ]; then
    echo "--sun-misc-unsafe-memory-access=allow"
  fi
}
