package program_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"log-archive/internal/plan"
)

// BenchmarkDestinationProgram runs the whole archive program under the mock monitor with 10, 100, 500 and
// 1,200 listed source accounts, and with an organization instead, and reports the size of both policies,
// which is what limits scale (R2.9, R3.5). Plan time should grow linearly with the account count.
//
//	go test -run '^$' -bench DestinationProgram -benchmem ./internal/program/
func BenchmarkDestinationProgram(b *testing.B) {
	cases := []struct {
		name string
		cfg  map[string]string
	}{}
	for _, n := range []int{10, 100, 500, 1200} {
		cases = append(cases, struct {
			name string
			cfg  map[string]string
		}{fmt.Sprintf("sources=%d", n), with(destinationConfig(), "log-archive:sourceAccountIds", accountList(n))})
	}
	cases = append(cases, struct {
		name string
		cfg  map[string]string
	}{"organization", with(destinationConfig(), "log-archive:sourceAccountIds", "", "log-archive:sourceOrganization", org)})
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var bucketBytes, keyBytes int
			for b.Loop() {
				bucketBytes, keyBytes = archivePolicyBytes(b, c.cfg)
			}
			b.ReportMetric(float64(bucketBytes), "bucket-policy-bytes")
			b.ReportMetric(float64(keyBytes), "key-policy-bytes")
		})
	}
}

// archivePolicyBytes plans the archive and returns the sizes of its bucket and key policies.
func archivePolicyBytes(b *testing.B, cfg map[string]string) (bucketBytes, keyBytes int) {
	p, err := runStack(b, "destination", cfg, nil)
	require.NoError(b, err)
	for _, pol := range p.Policies() {
		switch pol.Resource {
		case "archive-policy":
			bucketBytes = pol.Bytes()
		case "archive-key":
			keyBytes = pol.Bytes()
		}
	}
	return bucketBytes, keyBytes
}

// BenchmarkSourceProgram runs a source stack with its archive contract read through the StackReference.
func BenchmarkSourceProgram(b *testing.B) {
	refs := archiveOutputs(b, destinationConfig())
	for b.Loop() {
		_, err := runStack(b, "workload-a", sourceConfig(), refs)
		require.NoError(b, err)
	}
}

// BenchmarkSourceProgramWithLogBuckets adds log buckets for all three services: each is a key, a bucket
// and six more resources, and a key ARN the role policy waits for.
func BenchmarkSourceProgramWithLogBuckets(b *testing.B) {
	refs := archiveOutputs(b, destinationConfig())
	for _, n := range []int{1, 10} {
		var entries []string
		for i := range n {
			entries = append(entries, fmt.Sprintf(`{"name": "acme-a-logs-%d", "services": ["guardduty", "cloudtrail", "vpc-flow-logs"],
				"guardDutyDetectorId": "%s", "trailNames": ["management-events"]}`, i, detector))
		}
		cfg := with(sourceConfig(), "log-archive:logBuckets", "["+strings.Join(entries, ",")+"]")
		b.Run(fmt.Sprintf("log-buckets=%d", n), func(b *testing.B) {
			var rolePolicyBytes int
			for b.Loop() {
				p, err := runStack(b, "workload-a", cfg, refs)
				require.NoError(b, err)
				rolePolicyBytes = len(mustStep(b, p, tRolePolicy, "source-role-policy").NewState.Inputs["policy"].(string))
			}
			b.ReportMetric(float64(rolePolicyBytes), "role-policy-bytes")
		})
	}
}

// BenchmarkSourceFleet plans one source account with buckets in 5 Regions (two existing buckets for every
// log bucket, see fleetConfig), replicating into an archive with Object Lock: 20, 50 and 100 buckets.
// It reports the largest replication-role managed policy against IAM's 6,144 characters, how many are
// attached (IAM allows 10), the inline policy, and the backfill role's largest policy.
//
//	go test -run '^$' -bench SourceFleet -benchmem ./internal/program/
func BenchmarkSourceFleet(b *testing.B) {
	refs := archiveOutputs(b, with(destinationConfig(), "log-archive:objectLock", `{"mode":"GOVERNANCE","days":30}`))
	for _, n := range []int{20, 50, 100} {
		cfg := fleetConfig(n, fiveRegions)
		b.Run(fmt.Sprintf("regions=5/buckets=%d", n), func(b *testing.B) {
			var m rolePolicyMetrics
			for b.Loop() {
				p, err := runStack(b, "workload-a", cfg, refs)
				require.NoError(b, err)
				m = measureRolePolicies(b, p)
			}
			b.ReportMetric(float64(m.largestManaged), "largest-managed-policy-bytes")
			b.ReportMetric(float64(m.managed), "managed-policies")
			b.ReportMetric(float64(m.inline), "inline-policy-bytes")
			b.ReportMetric(float64(m.largestBackfill), "largest-backfill-policy-bytes")
			b.ReportMetric(float64(m.total), "role-policy-bytes-total")
		})
	}
}

type rolePolicyMetrics struct{ largestManaged, managed, inline, largestBackfill, total int }

// measureRolePolicies sizes the source roles' policies and fails on one over its IAM limit. (Kept out of
// the b.Loop body: Go 1.26's compiler crashes on some loops inside it.)
func measureRolePolicies(b *testing.B, p *plan.Plan) rolePolicyMetrics {
	var m rolePolicyMetrics
	for _, pol := range p.Policies() {
		require.LessOrEqual(b, pol.Bytes(), pol.Limit, pol.Resource)
		switch {
		case pol.Resource == "source-role-policy":
			m.inline = pol.Bytes()
		case strings.HasPrefix(pol.Resource, "source-role-policy-"):
			m.largestManaged = max(m.largestManaged, pol.Bytes())
			m.managed++
		case strings.HasPrefix(pol.Resource, "source-backfill-role-policy"):
			m.largestBackfill = max(m.largestBackfill, pol.Bytes())
		default:
			continue
		}
		m.total += pol.Bytes()
	}
	require.LessOrEqual(b, m.managed, 10)
	return m
}
