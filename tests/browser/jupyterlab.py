"""What the JupyterLab browser tests share: how long to wait, and how to tell the kernel is idle."""

from __future__ import annotations

LONG = 120_000  # ms: kernel start and the first widget render share 2 slow cores

KERNEL_IDLE = """() => {
    const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
    const kernel = panel && panel.sessionContext && panel.sessionContext.session
        && panel.sessionContext.session.kernel;
    return !!kernel && kernel.connectionStatus === "connected" && kernel.status === "idle";
}"""
"""A page function: true once the open notebook's kernel is connected and idle."""
