"""SHU (`/kelola/shu`): the split, a closed year's plan, posting it and paying it out."""
