package program_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// A key of the program's namespace that it does not read is refused with the nearest key it does read:
// a misspelt key would otherwise be ignored, and the archive created without what the user asked for.
func TestUnknownKeys_AreRefusedWithTheNearestKnownKey(t *testing.T) {
	for _, tc := range []struct {
		name  string
		stack string
		cfg   map[string]string
		want  []string
	}{
		{"wrong case", "destination", with(destinationConfig(), "log-archive:objectlock", `{"mode":"GOVERNANCE","days":30}`),
			[]string{`log-archive:objectlock = {"mode":"GOVERNANCE","days":30}: is not a key this program reads`, "did you mean log-archive:objectLock?"}},
		{"singular for plural", "destination", with(destinationConfig(), "log-archive:sourceAccountId", "222222222222"),
			[]string{"log-archive:sourceAccountId", "belongs to the other kind of stack"}},
		{"singular for plural in a source", "workload-a", with(sourceConfig(), "log-archive:sourceBucket", `[{"name":"x"}]`),
			[]string{`log-archive:sourceBucket = [{"name":"x"}]: is not a key this program reads`, "did you mean log-archive:sourceBuckets?"}},
		{"dropped letter", "destination", with(destinationConfig(), "log-archive:lifecyle", `{"noncurrentExpirationDays":30}`),
			[]string{"log-archive:lifecyle", "did you mean log-archive:lifecycle?"}},
		{"swapped letters", "workload-a", with(sourceConfig(), "log-archive:replicaStroageClass", "GLACIER"),
			[]string{`log-archive:replicaStroageClass = "GLACIER"`, "did you mean log-archive:replicaStorageClass?"}},
		{"nothing near", "destination", with(destinationConfig(), "log-archive:retentionYears", "7"),
			[]string{`log-archive:retentionYears = "7": is not a key this program reads`, "Fix: remove it"}},
		{"misspelt stack kind", "destination", with(destinationConfig(), "log-archive:stackKind", "", "log-archive:stackkind", "destination"),
			[]string{"log-archive:stackKind is not set", `log-archive:stackkind = "destination"`, "did you mean log-archive:stackKind?"}},
		{"two at once", "destination", with(destinationConfig(), "log-archive:keyalias", "alias/x", "log-archive:tag", `{"a":"b"}`),
			[]string{"2 problems", "did you mean log-archive:keyAlias?", "did you mean log-archive:tags?"}},
	} {
		t.Run(tc.name, func(t *testing.T) { requireRefused(t, tc.stack, tc.cfg, tc.want...) })
	}
}

// Keys of other namespaces (the AWS provider's, say) are not the program's to judge.
func TestUnknownKeys_OtherNamespacesAreLeftAlone(t *testing.T) {
	_, err := runStack(t, "destination", with(destinationConfig(), "aws:profile", "archive", "aws:skipMetadataApiCheck", "false"), nil)
	assert.NoError(t, err)
}

// A misspelt namespace is a misspelt key too: the program never reads log-archve:sourceBuckets, and the
// bucket would silently not replicate. A near miss of the two aws: keys the program reads is refused too.
func TestUnknownKeys_MisspeltNamespaceAndAWSKeys(t *testing.T) {
	for _, tc := range []struct {
		name, stack string
		cfg         map[string]string
		want        []string
	}{
		{"dropped letter in the namespace", "workload-a", with(sourceConfig(), "log-archive:sourceBuckets", "", "log-archve:sourceBuckets", `[{"name":"x"}]`),
			[]string{`log-archve:sourceBuckets = [{"name":"x"}]: is in the namespace log-archve, not log-archive, so it would be silently ignored`, "did you mean log-archive:sourceBuckets?"}},
		{"no hyphen", "destination", with(destinationConfig(), "logarchive:objectLock", `{"mode":"GOVERNANCE","days":1}`),
			[]string{"logarchive:objectLock", "did you mean log-archive:objectLock?"}},
		{"capitals", "destination", with(destinationConfig(), "Log-Archive:lifecycle", `{"noncurrentExpirationDays":30}`),
			[]string{"Log-Archive:lifecycle", "did you mean log-archive:lifecycle?"}},
		{"aws:region misspelt", "destination", with(destinationConfig(), "aws:region", "", "aws:regoin", "eu-west-1"),
			[]string{"aws:region is not set", `aws:regoin = "eu-west-1": is not a key of the AWS provider this program reads`, "did you mean aws:region?"}},
		{"aws:allowedAccountIds misspelt", "destination", with(destinationConfig(), "aws:allowedAccountId", `["111111111111"]`),
			[]string{"did you mean aws:allowedAccountIds?"}},
	} {
		t.Run(tc.name, func(t *testing.T) { requireRefused(t, tc.stack, tc.cfg, tc.want...) })
	}
}
