# man/groups.awk: help2man sets argp's option group headers ("Output:") as
# indented paragraphs; this makes each a subsection (.SS Output).
/^\.IP$/ { held = 1; next }
held && /^[A-Z][A-Za-z ]*:$/ { sub(/:$/, ""); print ".SS " $0; held = 0; next }
held { print ".IP"; held = 0 }
{ print }
END { if (held) print ".IP" }
