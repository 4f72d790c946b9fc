package awsid

// Which AWS Regions exist and which partition each is in, from the partition
// metadata the AWS SDK for Go v2 ships (partitions.json in its internal/endpoints/awsrulesfn package,
// copied here because Go forbids importing an internal package). It is kept current with the SDK: the
// generate directive below copies the file from the SDK version go.mod pins, and a test fails when the copy
// and that version differ, so a `go get` of a newer SDK that knows a new Region brings it here.

//go:generate sh -c "cp \"$(go list -m -f '{{.Dir}}' github.com/aws/aws-sdk-go-v2)/internal/endpoints/awsrulesfn/partitions.json\" partitions.json && chmod 644 partitions.json"

import (
	_ "embed"
	"encoding/json"
	"slices"
	"sort"
	"strings"
)

//go:embed partitions.json
var partitionsJSON []byte

// Partition is one AWS partition: its ID (the ARN partition), the DNS suffix of its service endpoints and
// its Regions.
type Partition struct {
	ID        string
	DNSSuffix string
	Regions   []string
}

var partitions = load()

func load() []Partition {
	var doc struct {
		Partitions []struct {
			ID      string                     `json:"id"`
			Outputs struct{ DNSSuffix string } `json:"outputs"`
			Regions map[string]json.RawMessage `json:"regions"`
		} `json:"partitions"`
	}
	if err := json.Unmarshal(partitionsJSON, &doc); err != nil {
		panic("awsid: partitions.json: " + err.Error()) // embedded and tested: cannot happen at run time
	}
	var out []Partition
	for _, p := range doc.Partitions {
		part := Partition{ID: p.ID, DNSSuffix: p.Outputs.DNSSuffix}
		for r := range p.Regions {
			if !strings.HasSuffix(r, "-global") { // aws-global and the like are endpoint aliases, not Regions
				part.Regions = append(part.Regions, r)
			}
		}
		sort.Strings(part.Regions)
		out = append(out, part)
	}
	return out
}

// Lookup returns the partition a Region is in, and false when no partition lists the Region.
func Lookup(region string) (Partition, bool) {
	for _, p := range partitions {
		if slices.Contains(p.Regions, region) {
			return p, true
		}
	}
	return Partition{}, false
}

// Partitions returns every partition the metadata lists.
func Partitions() []Partition { return slices.Clone(partitions) }
