import './base.css';
import './side-panel.css';
import './mcp-apps.css';
