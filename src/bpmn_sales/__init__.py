"""bpmn-sales: sales processes authored as BPMN 2.0 and executed by SpiffWorkflow."""

__version__ = "0.1.0"
