# The keys a broker's provisioning makes, for scripts/provision-room and scripts/provision-clinic
# (sourced by both): a certificate authority, the broker's server certificate, and an account
# with a generated password. Run under `umask 077`; `fail` is the caller's.

# make_ca DIR CA_DIR NAME DAYS: DIR/ca.pem, and its key in CA_DIR/ca.key (outside DIR: the
# broker's user is given DIR, the CA's key goes offline).
make_ca() {
  openssl req -x509 -newkey rsa:3072 -nodes -days "$4" -subj "/CN=$3" \
    -keyout "$2/ca.key" -out "$1/ca.pem" 2>/dev/null || fail "openssl could not make the CA"
  chmod 0644 "$1/ca.pem"
}

# make_server_cert DIR CA_DIR DAYS CN SAN: DIR/server.pem (signed by the CA) and DIR/server.key,
# valid for the subjectAltName list SAN ("DNS:localhost,IP:127.0.0.1,...").
make_server_cert() {
  openssl req -newkey rsa:3072 -nodes -subj "/CN=$4" \
    -keyout "$1/server.key" -out "$1/server.csr" 2>/dev/null || fail "openssl could not make a key"
  printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n' "$5" \
    > "$1/server.ext"
  openssl x509 -req -in "$1/server.csr" -CA "$1/ca.pem" -CAkey "$2/ca.key" -CAcreateserial \
    -days "$3" -extfile "$1/server.ext" -out "$1/server.pem" 2>/dev/null ||
    fail "openssl could not sign the server certificate"
  rm -f "$1/server.csr" "$1/server.ext" "$1/ca.srl"
  chmod 0644 "$1/server.pem"
}

# add_account DIR USER: a generated password in DIR/secrets/USER (0600), and USER in
# DIR/passwords.
add_account() {
  local password
  password=$(openssl rand -base64 24 | tr -d '/+=\n' | cut -c1-24)
  printf '%s\n' "$password" > "$1/secrets/$2"
  mosquitto_passwd -b "$1/passwords" "$2" "$password"
}
