package components

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// A bucket's managed policy is a function of its name alone and must never change between releases: a
// new hash would move every bucket's grants from one policy to another, and between the two updates the
// role would lack them (S3 never retries a FAILED object, R5.9). These values pin FNV-1a mod 10.
func TestShardOf_IsPinnedForEveryRelease_R5_9(t *testing.T) {
	assert.Equal(t, map[string]int{"trail-logs": 7, "flow-logs": 3, "acme-workload-a-logs-eu-west-1": 6, "acme-workload-a-app-logs": 7},
		map[string]int{"trail-logs": shardOf("trail-logs"), "flow-logs": shardOf("flow-logs"),
			"acme-workload-a-logs-eu-west-1": shardOf("acme-workload-a-logs-eu-west-1"), "acme-workload-a-app-logs": shardOf("acme-workload-a-app-logs")})
}

func TestDecryptSid_NamesTheRegionOutsideTheStacks(t *testing.T) {
	assert.Equal(t, "DecryptSourceObjects", decryptSid("eu-west-1", "eu-west-1"))
	assert.Equal(t, "DecryptSourceObjectsEuCentral1", decryptSid("eu-west-1", "eu-central-1"))
	assert.Equal(t, "DecryptSourceObjectsUsGovWest1", decryptSid("us-gov-east-1", "us-gov-west-1"))
}
