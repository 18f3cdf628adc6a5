import './base.css';
import './mcp-apps.css';
