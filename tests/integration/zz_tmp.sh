. tests/integration/lib.sh
EP=$SLUICE_TEST_ENDPOINT; EMU=$EP
clean_env
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
P=$SLUICE_BUILD/provision/provision
w=$(mktemp -d)
ctl POST config '{"iam_propagation_seconds": 0, "lifecycle_seconds": 0.3}' >/dev/null
write_profile $w/p.ini dtest attempts=1
$P apply -q $w/p.ini; echo "rc=$?"
ctl POST faults '{"http_500": 1.0, "operations": ["DeleteRole"]}' >/dev/null
$P destroy $w/p.ini; echo "rc=$?"
$P destroy --json $w/p.ini | jq -c '.resources[] | [.type,.result]'; 
ctl POST faults '{}' >/dev/null
$P destroy $w/p.ini; echo "rc=$?"
