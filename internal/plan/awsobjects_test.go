package plan_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/internal/plan"
)

// A resource type whose AWS object the catalogue does not name fails the check, so a new type must be
// classified; names are kept apart by scope: a topic per Region, an IAM name per account.
func TestObjectNames(t *testing.T) {
	provider := plan.Step{Op: "create", URN: "urn:pulumi:s::p::pulumi:providers:aws::aws-eu-central-1",
		NewState: plan.State{Type: "pulumi:providers:aws", Custom: true, Inputs: map[string]any{"region": "eu-central-1"}}}
	topic := func(name, provider string) plan.Step {
		return plan.Step{Op: "create", URN: "urn:pulumi:s::p::aws:sns/topic:Topic::" + name,
			NewState: plan.State{Type: "aws:sns/topic:Topic", Custom: true, Inputs: map[string]any{"name": "alerts"}, Provider: provider}}
	}
	p := &plan.Plan{Steps: []plan.Step{provider, topic("home", ""), topic("central", provider.URN+"::id"), topic("again", "")}}
	objects, err := p.ObjectNames("eu-west-1")
	require.NoError(t, err)
	assert.Equal(t, map[string][]string{
		"SNS topic eu-west-1/alerts":    {"urn:pulumi:s::p::aws:sns/topic:Topic::home", "urn:pulumi:s::p::aws:sns/topic:Topic::again"},
		"SNS topic eu-central-1/alerts": {"urn:pulumi:s::p::aws:sns/topic:Topic::central"},
	}, objects)

	p.Steps = append(p.Steps, plan.Step{Op: "create", URN: "urn:pulumi:s::p::aws:sqs/queue:Queue::q",
		NewState: plan.State{Type: "aws:sqs/queue:Queue", Custom: true}})
	_, err = p.ObjectNames("eu-west-1")
	assert.ErrorContains(t, err, "resource types the catalogue (internal/catalog) does not say the AWS object of")
	assert.ErrorContains(t, err, "aws:sqs/queue:Queue")
}
