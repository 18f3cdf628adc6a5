import './base.css';
import './side-panel.css';
